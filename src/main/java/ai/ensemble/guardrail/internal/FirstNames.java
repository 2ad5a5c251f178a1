package ai.ensemble.guardrail.internal;

import java.util.Set;

/**
 * Common given names across the languages Ensemble's users write in, written out for this project
 * (English, German, Dutch, Nordic, French, Spanish, Portuguese, Italian, Slavic, Hungarian, Greek,
 * Turkish, Arabic, Indian, Chinese, Japanese, Korean). Names that are also everyday English words
 * ("Will", "May", "Hope", "Grace", "Bill") are left out: followed by a capitalised word they start
 * too many headlines.
 */
final class FirstNames {

    private FirstNames() {
    }

    static final Set<String> NAMES = Set.copyOf(java.util.Arrays.asList(("""
            James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony
            Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob
            Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick
            Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Noah Ethan Jeremy
            Walter Keith Roger Terry Sean Gerald Carl Harold Dylan Arthur Lawrence Jesse Bryan Bruce Gabriel Logan
            Albert Willie Alan Eugene Russell Vincent Philip Bobby Johnny Louis Oliver Harry Charlie Oscar Leo Liam
            Lucas Mason Elijah Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
            Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca Sharon
            Laura Cynthia Dorothy Amy Kathleen Angela Shirley Emma Brenda Pamela Nicole Anna Samantha Katherine
            Christine Debra Rachel Carolyn Janet Maria Olivia Heather Helen Catherine Diane Julie Victoria Joyce Lauren
            Kelly Christina Ruth Joan Judith Evelyn Hannah Andrea Megan Cheryl Jacqueline Madison Teresa Abigail Sophia
            Martha Sara Gloria Janice Kathryn Ann Alice Jean Doris Judy Isabella Julia Beverly Denise Marie Danielle
            Theresa Diana Natalie Brittany Charlotte Marilyn Kayla Alexis Lori Ava Mia Chloe Ella Lily Zoe Sophie Ellie
            Lucy Amelia Isla Freya Poppy Harriet Eleanor Hans Klaus Jürgen Jurgen Wolfgang Uwe Dieter Günter Gunter
            Horst Helmut Manfred Werner Karl Heinz Gerhard Stefan Andreas Markus Tobias Sebastian Florian Matthias Jens
            Torsten Lukas Jonas Felix Maximilian Moritz Niklas Leon Finn Ursula Monika Petra Sabine Renate Ingrid
            Brigitte Gabriele Birgit Claudia Katrin Anja Stefanie Jana Lena Lea Leonie Johanna Marlene Greta Frieda
            Annika Jan Pieter Joris Sander Bram Daan Sem Thijs Ruben Femke Sanne Lotte Anouk Fleur Lars Erik Anders Nils
            Magnus Olof Sven Björn Bjorn Gustav Henrik Mikael Johan Fredrik Astrid Sigrid Karin Elin Maja Saga Linnea
            Freja Mette Sofie Ida Nora Emil Mads Rasmus Kasper Aksel Mikko Juha Jukka Matti Timo Kari Antti Ville Eero
            Aino Liisa Päivi Hanna Tuula Riikka Sanna Heikki Pekka Pierre Michel Philippe Alain Nicolas Christophe
            François Francois Laurent Julien Mathieu Guillaume Antoine Thierry Olivier Sébastien Sebastien Jérôme Jerome
            Benoît Benoit Camille Manon Chloé Léa Inès Ines Juliette Céline Celine Isabelle Nathalie Sylvie Sandrine
            Véronique Veronique Aurélie Amélie Hélène Élodie Elodie Mathilde Margaux Juan Carlos Luis Miguel Javier
            Alejandro Manuel Francisco Antonio Pedro Pablo Diego Sergio Jorge Alberto Fernando Rafael Ricardo Andrés
            Andres Raúl Raul Ramón Ramon Enrique Lucía Lucia Carmen Josefa Isabel Dolores Pilar Rosa Cristina Marta
            Elena Paula Raquel Beatriz Alba Nerea Ainhoa Julieta Valentina Camila Sofía Gabriela Daniela Mariana
            Fernanda Ximena João Joao Tiago Rui Gonçalo Goncalo Bruno Rodrigo Leonor Inês Matilde Giovanni Giuseppe
            Marco Luca Alessandro Francesco Matteo Lorenzo Davide Stefano Roberto Paolo Massimo Fabio Simone Riccardo
            Federico Giulia Chiara Francesca Alessia Martina Elisa Federica Silvia Valeria Serena Ilaria Ivan Dmitri
            Dmitry Sergei Sergey Alexei Alexey Vladimir Nikolai Mikhail Andrei Andrey Pavel Yuri Oleg Igor Boris Natasha
            Olga Tatiana Svetlana Irina Ekaterina Anastasia Yulia Ksenia Marina Ludmila Piotr Krzysztof Tomasz Marcin
            Paweł Pawel Michał Michal Łukasz Lukasz Agnieszka Małgorzata Malgorzata Katarzyna Magdalena Joanna Zofia Ewa
            Jiří Jiri Petr Tomáš Tomas Martin Jakub Lenka Tereza Veronika Zuzana László Laszlo István Istvan Zoltán
            Zoltan Gábor Gabor Péter Attila Balázs Balazs Zsófia Zsofia Katalin Erzsébet Ildikó Eszter Noémi Noemi
            Dimitris Giorgos Nikos Konstantinos Yannis Eleni Katerina Sofia Mehmet Mustafa Ahmet Ali Hüseyin Emre Burak
            Murat Ayşe Ayse Fatma Zeynep Elif Emine Mohammed Muhammad Ahmed Mahmoud Omar Youssef Hassan Hussein Khalid
            Ibrahim Tariq Fatima Aisha Layla Leila Mariam Nour Yasmin Zainab Rahul Amit Rajesh Suresh Vijay Sanjay Arjun
            Ravi Anil Sunil Deepak Priya Anjali Pooja Neha Sunita Kavita Divya Lakshmi Aarav Vivaan Ananya Diya Wei Jing
            Li Ming Hui Yan Xiaoming Lei Jun Hao Yu Chen Fang Min Hiroshi Takashi Kenji Yuki Haruto Sota Yui Sakura Hina
            Aoi Minjun Seojun Jiwoo Seoyeon Jiyeon Minseo Ji-hoon Kwame Kofi Chinedu Oluwaseun Amara Chiamaka Nia Zuri
            Thabo Sipho Ayodele Ebere Abebe Tesfaye
            """).strip().split("\\s+")));
}
